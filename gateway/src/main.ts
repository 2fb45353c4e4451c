import { runHttpService } from '@runrun/common';
import { AppModule } from './app.module';
import { loadConfig } from './config';
import { registerProxyRoutes } from './proxy/proxy';

void runHttpService({
  name: 'gateway',
  loadConfig,
  module: AppModule.register,
  logRequests: true,
  configure: (app, config) => registerProxyRoutes(app, config),
});
