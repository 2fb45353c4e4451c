export * from './config';
export * from './revocation';
export * from './tokens';
export * from './cookies';
