export * from './jwt-auth.guard';
export * from './token';
