// The open connections of a listener, with a cap in all and a cap per source address. A peer that holds idle
// connections must not lock out one with something to say, so a newcomer over a cap evicts a connection that is
// not busy: first the one that has been silent longest since it connected without ever sending a byte, else the
// one idle longest. Only when every connection under the cap is busy is the newcomer refused.
//   const pool = new ConnectionPool<net.Socket>({ max: 1000, maxPerAddress: 100 })
//   const r = pool.admit(socket, socket.remoteAddress)   // { ok: true, evicted: [old] } | { ok: false }
//   pool.activity(socket); pool.busy(socket, true); pool.remove(socket)

export interface PoolLimits {
  /** Connections open at once. */
  max: number;
  /** Connections open at once from one source address. */
  maxPerAddress: number;
}

interface Entry {
  address: string;
  /** Has sent at least one byte. */
  spoke: boolean;
  /** Work in progress on it (a request being answered, lines being stored): never evicted. */
  busy: boolean;
}

export type Admission<S> = { ok: true; evicted: S[] } | { ok: false };

export class ConnectionPool<S> {
  // Insertion order is idleness order: activity() moves an entry to the end, so the first idle entry found
  // walking from the start is the longest idle one.
  private readonly silent = new Map<S, Entry>();
  private readonly spoken = new Map<S, Entry>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly limits: PoolLimits) {}

  get size(): number {
    return this.silent.size + this.spoken.size;
  }

  /** Adds `conn` when there is room, or room can be made by evicting idle connections (returned, still open). */
  admit(conn: S, address = ''): Admission<S> {
    const evicted: S[] = [];
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxPerAddress) {
      const victim = this.idlest((e) => e.address === address);
      if (victim === undefined) return { ok: false };
      this.remove(victim);
      evicted.push(victim);
    }
    if (this.size >= this.limits.max) {
      const victim = this.idlest(() => true);
      if (victim === undefined) {
        return { ok: false };
      }
      this.remove(victim);
      evicted.push(victim);
    }
    this.silent.set(conn, { address, spoke: false, busy: false });
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    return { ok: true, evicted };
  }

  /** `conn` sent something: it is now the most recently active. */
  activity(conn: S): void {
    const e = this.silent.get(conn) ?? this.spoken.get(conn);
    if (!e) return;
    this.silent.delete(conn);
    this.spoken.delete(conn);
    e.spoke = true;
    this.spoken.set(conn, e);
  }

  busy(conn: S, busy: boolean): void {
    const e = this.silent.get(conn) ?? this.spoken.get(conn);
    if (e) e.busy = busy;
  }

  remove(conn: S): void {
    const e = this.silent.get(conn) ?? this.spoken.get(conn);
    if (!e) return;
    this.silent.delete(conn);
    this.spoken.delete(conn);
    const n = (this.perAddress.get(e.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(e.address);
    else this.perAddress.set(e.address, n);
  }

  private idlest(match: (e: Entry) => boolean): S | undefined {
    for (const map of [this.silent, this.spoken]) {
      for (const [conn, e] of map) if (!e.busy && match(e)) return conn;
    }
    return undefined;
  }
}
