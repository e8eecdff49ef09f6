export * from './error-codes';
export * from './auth';
export * from './nodes';
export * from './events';
export * from './routes';
export * from './placement';
export * from './usage';
export * from './groups';
