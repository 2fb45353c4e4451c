export * from './mail';
export * from './shoppers';
export * from './catalogue';
export * from './orders';
export * from './service-module';
