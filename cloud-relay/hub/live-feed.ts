// Live updates by server-sent events. Each instance tells its own open pages when its receiver
// stored or saw a message, or (on PostgreSQL, live-listen.ts) another instance stored one,
// naming only the kind of message:
// the page then asks again for what it shows, through the same permission checks as a reload.
// No loop reads the database. Bursts are coalesced: at most one notice per kind every `gapMs`.
import type { ServerResponse } from 'node:http';
import { type MessageType, parseTopic } from '../protocol/messages.ts';

export type LiveKind = 'alert' | 'summary' | 'night' | 'status' | 'heartbeat' | 'cmd-result' | 'ack';
/** The topics of a home a page hears about, by their leaf: the kind of message each carries. */
const FROM_HOMES: ReadonlySet<string> = new Set<LiveKind>([
  'alert',
  'summary',
  'night',
  'status',
  'heartbeat',
  'cmd-result',
]);

/** The kind of a message a home sent, by its type: its topic's leaf. */
export const liveKindOf = (type: MessageType): LiveKind => (type === 'cmd_result' ? 'cmd-result' : type);

/** Every kind a page may be told of. */
export const LIVE_KINDS: ReadonlySet<string> = new Set<LiveKind>([...(FROM_HOMES as Set<LiveKind>), 'ack']);

export class LiveFeed {
  #clients = new Set<ServerResponse>();
  #last = new Map<LiveKind, number>();
  #held = new Map<LiveKind, NodeJS.Timeout>();
  #ping: NodeJS.Timeout;
  readonly gapMs: number;

  constructor(opts: { gapMs?: number; pingMs?: number } = {}) {
    this.gapMs = opts.gapMs ?? 300;
    // A comment line now and then keeps proxies from closing an idle stream.
    this.#ping = setInterval(() => this.#write(': ping\n\n'), opts.pingMs ?? 20_000);
    this.#ping.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  /** From a topic's leaf (hearth/v1/gw/alert -> alert). */
  notifyTopic(topic: string): void {
    const t = parseTopic(topic);
    if (t.ok && t.gateway !== null && FROM_HOMES.has(t.leaf)) this.notify(t.leaf as LiveKind);
  }

  notify(kind: LiveKind): void {
    if (this.#held.has(kind)) return;
    const wait = (this.#last.get(kind) ?? 0) + this.gapMs - Date.now();
    if (wait <= 0) {
      this.#send(kind);
      return;
    }
    const t = setTimeout(() => {
      this.#held.delete(kind);
      this.#send(kind);
    }, wait);
    t.unref();
    this.#held.set(kind, t);
  }

  #send(kind: LiveKind): void {
    this.#last.set(kind, Date.now());
    this.#write(`event: change\ndata: ${JSON.stringify({ kind })}\n\n`);
  }

  #write(text: string): void {
    for (const c of this.#clients) c.write(text);
  }

  close(): void {
    clearInterval(this.#ping);
    for (const t of this.#held.values()) clearTimeout(t);
    for (const c of this.#clients) c.end();
    this.#clients.clear();
  }
}
