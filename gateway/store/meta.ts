// Small facts about the database itself, by key: when it was opened, since when the gateway has
// watched the home, how far a replay has read.
import { repository } from './repository.ts';

const SQL = {
  get: 'SELECT value FROM meta WHERE key = ?',
  put: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
};

export class Meta extends repository(SQL) {
  get(key: string): string | undefined {
    return (this.sql.get.get(key) as { value: string } | undefined)?.value;
  }

  put(key: string, value: string): void {
    this.uow.write({ run: () => this.sql.put.run(key, value) });
  }
}
