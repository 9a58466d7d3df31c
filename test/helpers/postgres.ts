// The hub's throwaway PostgreSQL cluster (tools/testbed/pg-cluster.ts), for the tests.
export { type Postgres, startPostgres } from '../../tools/testbed/pg-cluster.ts';
