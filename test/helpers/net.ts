export { freePort } from '../../cloud-relay/hub/free-port.ts';
