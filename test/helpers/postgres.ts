// The hub's throwaway PostgreSQL cluster (cloud-relay/hub/pg-cluster.ts), for the tests.
export { type Postgres, startPostgres } from '../../cloud-relay/hub/pg-cluster.ts';
