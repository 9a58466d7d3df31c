// A hand-made MQTT 3.1.1 client on a bare socket, for what a well-behaved library will not do:
// stop reading, send bytes that are not UTF-8, or never send CONNECT at all.
import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { until } from './until.ts';

export type RawClient = {
  socket: Socket;
  /** Every packet the broker sent, in order. */
  packets: Packet[];
  closed: () => boolean;
  send(packet: Packet): void;
  /** Waits for the first packet of this kind (e.g. 'connack'); fails if the socket closes first. */
  next(cmd: Packet['cmd']): Promise<Packet>;
};

/** A TCP connection to 127.0.0.1:`port`, once open; nothing is sent. */
export async function rawSocket(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const packets: Packet[] = [];
  const parser = mqttPacket.parser();
  parser.on('packet', (p) => packets.push(p));
  socket.on('data', (b) => parser.parse(b));
  socket.on('error', () => {});
  let isClosed = false;
  socket.once('close', () => {
    isClosed = true;
  });
  return {
    socket,
    packets,
    closed: () => isClosed,
    send: (p) => socket.write(mqttPacket.generate(p)),
    async next(cmd) {
      await until(`a ${cmd}`, () => packets.some((p) => p.cmd === cmd) || isClosed);
      const found = packets.find((p) => p.cmd === cmd);
      if (!found) throw new Error(`the broker closed the connection before a ${cmd}`);
      return found;
    },
  };
}

/** A raw client signed in (CONNACK 0 received), or the CONNACK's refusal as an error. */
export async function rawSession(
  port: number,
  user: { username: string; password: string },
  clientId = `raw-${Math.random().toString(36).slice(2)}`,
): Promise<RawClient> {
  const c = await rawSocket(port);
  c.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    clientId,
    username: user.username,
    password: Buffer.from(user.password),
  });
  const ack = await c.next('connack');
  if (ack.cmd === 'connack' && ack.returnCode !== 0) throw new Error(`CONNACK ${ack.returnCode}`);
  return c;
}

/** A PUBLISH whose topic is the given bytes, as they go on the wire (valid UTF-8 or not). */
export function publishWithTopicBytes(topic: Buffer, payload: Buffer): Buffer {
  const length = 2 + topic.length + payload.length;
  const header: number[] = [0x30];
  for (let n = length; ; ) {
    const byte = n % 128;
    n = Math.floor(n / 128);
    header.push(n > 0 ? byte | 0x80 : byte);
    if (n === 0) break;
  }
  const size = Buffer.alloc(2);
  size.writeUInt16BE(topic.length);
  return Buffer.concat([Buffer.from(header), size, topic, payload]);
}
