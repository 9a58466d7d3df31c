// The envelope every version-1 message between a home and the trust begins with (DESIGN.md
// section 5), made by one function at both ends so that its keys come out the same, in the same
// order. Pure: the time comes in already written, and the message's own schema checks the whole.

export const PROTOCOL_VERSION = 1 as const;

/** The `type` of each message a home sends the trust. */
export const MESSAGE_TYPES = ['alert', 'summary', 'night', 'status', 'heartbeat', 'cmd_result'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type Envelope<T extends MessageType = MessageType> = {
  v: typeof PROTOCOL_VERSION;
  id: string;
  type: T;
  gateway: string;
  resident: string;
  at: string;
};

/**
 * The version-1 envelope, keys in the contract's order: v, id, type, gateway, resident, at.
 * `id` is unique and the same on every retry (the trust drops repeats by it). `at` is ISO 8601
 * as the sender writes it: a home its local time with the offset (`Zone.iso`), a simulated home
 * UTC. Nothing is checked here: the message it begins is, by its type's schema.
 */
export function envelope<T extends MessageType>(e: Omit<Envelope<T>, 'v'>): Envelope<T> {
  return { v: PROTOCOL_VERSION, id: e.id, type: e.type, gateway: e.gateway, resident: e.resident, at: e.at };
}
