import { runHttpService } from '@runrun/common';
import { AppModule } from './app.module';
import { loadConfig } from './config';

void runHttpService({ name: 'product', loadConfig, module: AppModule.register });
