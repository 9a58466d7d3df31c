// What every repository of the store starts from: its statements, prepared once from its table of
// SQL, and the unit of work its writes go through.
import { prepareAll, type Sqlite, type Statements } from './database.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export function repository<T extends Record<string, string>>(sql: T) {
  return class Repository {
    protected readonly sql: Statements<T>;
    protected readonly uow: UnitOfWork;

    constructor(db: Sqlite, uow: UnitOfWork) {
      this.sql = prepareAll(db, sql);
      this.uow = uow;
    }
  };
}
