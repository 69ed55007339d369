/** What SizedPools needs of a pool: to know when its work is done, and to close. */
export interface RetirablePool {
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

/** A pool lent to one user (a job) until it gives it back. */
export interface PoolLoan<Pool> {
  /** The pool, borrowed on the first call and the same one until release(). */
  pool(): Pool;
  /** Gives the pool back; resolves once it is closed, when it was the last user of a replaced pool. */
  release(): Promise<void>;
}

interface Kept<Pool> {
  pool: Pool;
  size: number;
  borrowers: number;
  replaced: boolean;
  closing?: Promise<void>;
}

/**
 * The pool of the size a setting asks for now (the worker threads the user allows). When the size
 * changes, new work gets a new pool; the replaced one is not closed under the work that uses it:
 * it closes once its last borrower has given it back and the calls in flight on it are done.
 */
export class SizedPools<Pool extends RetirablePool> {
  private readonly create: (size: number) => Pool;
  private latest: Kept<Pool> | null = null;
  private readonly replaced = new Set<Kept<Pool>>();

  constructor(create: (size: number) => Pool) {
    this.create = create;
  }

  /**
   * The pool of this size, for a call that is done when its promise settles (an API request);
   * after a resize it closes once idle. Work that outlives one call borrows it with lend().
   */
  current(size: number): Pool {
    return this.keep(size).pool;
  }

  /** A loan that borrows the pool of `size()` on first use and keeps that pool until released. */
  lend(size: () => number): PoolLoan<Pool> {
    let borrowed: Kept<Pool> | undefined;
    let released = false;
    return {
      pool: () => {
        if (released) throw new Error('SizedPools: this loan was released; ask for a new one.');
        if (!borrowed) {
          borrowed = this.keep(size());
          borrowed.borrowers += 1;
        }
        return borrowed.pool;
      },
      release: () => {
        if (released || !borrowed) {
          released = true;
          return Promise.resolve();
        }
        released = true;
        borrowed.borrowers -= 1;
        return this.closeIfUnused(borrowed);
      },
    };
  }

  /** Closes every pool now, the replaced ones included (at shutdown, after the jobs have stopped). */
  async close(): Promise<void> {
    const all = [...this.replaced, ...(this.latest ? [this.latest] : [])];
    this.latest = null;
    this.replaced.clear();
    await Promise.all(all.map((kept) => kept.pool.close()));
  }

  private keep(size: number): Kept<Pool> {
    if (this.latest && this.latest.size !== size) {
      const old = this.latest;
      this.latest = null;
      old.replaced = true;
      this.replaced.add(old);
      void this.closeIfUnused(old);
    }
    this.latest ??= { pool: this.create(size), size, borrowers: 0, replaced: false };
    return this.latest;
  }

  private closeIfUnused(kept: Kept<Pool>): Promise<void> {
    if (!kept.replaced || kept.borrowers > 0) return Promise.resolve();
    kept.closing ??= kept.pool.whenIdle().then(async () => {
      this.replaced.delete(kept);
      await kept.pool.close();
    });
    return kept.closing;
  }
}
