import { runHttpService } from '@runrun/common';
import { AppModule } from './app.module';
import { registerBreakerGate } from './breaker/breaker-gate';
import { loadConfig } from './config';
import { countOrderOutcomes } from './metrics/order-outcomes';

void runHttpService({
  name: 'order',
  loadConfig,
  module: AppModule.register,
  configure: async (app) => {
    countOrderOutcomes(app);
    registerBreakerGate(app);
  },
});
