export * from './topics';
export * from './events';
export * from './grpc';
export * from './availability';
