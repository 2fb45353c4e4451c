import { runHttpService } from '@runrun/common';
import { FILE_STORAGE, registerMultipart, serveLocalFiles } from '@runrun/storage';
import { AppModule } from './app.module';
import { loadConfig } from './config';

void runHttpService({
  name: 'product',
  loadConfig,
  module: AppModule.register,
  configure: async (app, config) => {
    await registerMultipart(app, config.storage.maxFileBytes);
    serveLocalFiles(app, app.get(FILE_STORAGE), 'PRODUCT');
  },
});
