export * from './mail';
export * from './shoppers';
