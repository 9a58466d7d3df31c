export { freePort } from '../../tools/testbed/free-port.ts';
