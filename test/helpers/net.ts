export { freePort } from '../../gateway/bench/free-port.ts';
