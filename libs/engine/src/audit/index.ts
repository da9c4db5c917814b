export * from './access-log.service';
export * from './audit.providers';
export * from './procedure-history.queries';
export * from './verify-record.usecase';
