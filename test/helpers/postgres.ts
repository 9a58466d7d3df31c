// The hub's throwaway PostgreSQL cluster (tools/testbed/pg-cluster.ts), for the tests.
export { type Postgres, type StopMode, startPostgres } from '../../tools/testbed/pg-cluster.ts';
