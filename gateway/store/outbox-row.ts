// A message waiting in the outbox, as the store keeps it: the relay's and the held writes' unit.
export type OutboxRow = {
  seq: number;
  id: string;
  topic: string;
  type: string;
  payload: string;
  created_at: number;
};
export type NewOutboxRow = Omit<OutboxRow, 'seq'>;
