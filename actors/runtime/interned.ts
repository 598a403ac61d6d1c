// One string object per distinct value for values repeated across many entries (team names on 200,000 device
// teams), with a bound on how many are kept so a bucket of all-distinct values cannot grow the table.
//   const names = new Interned(10_000); names.of(t.team_assignment)

export class Interned {
  private readonly table = new Map<string, string>();
  constructor(private readonly max: number) {}

  of(value: string): string {
    const kept = this.table.get(value);
    if (kept !== undefined) return kept;
    if (this.table.size < this.max) this.table.set(value, value);
    return value;
  }
}
