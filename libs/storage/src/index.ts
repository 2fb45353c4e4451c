export * from './config';
export * from './files';
export * from './images';
export * from './local-disk.storage';
export * from './s3.storage';
export * from './storage';
export * from './uploads';
