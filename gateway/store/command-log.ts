// Commands from the trust, by id, with the result each was answered with: a command delivered
// again (at-least-once) is answered the same, with no second effect.
import { repository } from './repository.ts';

const SQL = {
  get: 'SELECT result FROM commands WHERE id = ?',
  put: 'INSERT OR IGNORE INTO commands (id, name, result, at) VALUES (?, ?, ?, ?)',
};

export class SqliteCommandLog extends repository(SQL) {
  /** The stored result of a command already handled (commands are idempotent by id). */
  result(id: string): string | undefined {
    return (this.sql.get.get(id) as { result: string } | undefined)?.result;
  }

  record(id: string, name: string, result: string, at: number): void {
    this.uow.write({ run: () => this.sql.put.run(id, name, result, at) });
  }
}
