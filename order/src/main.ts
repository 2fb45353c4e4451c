import { runHttpService } from '@runrun/common';
import { AppModule } from './app.module';
import { registerBreakerGate } from './breaker/breaker-gate';
import { loadConfig } from './config';

void runHttpService({
  name: 'order',
  loadConfig,
  module: AppModule.register,
  configure: async (app) => registerBreakerGate(app),
});
