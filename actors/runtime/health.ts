// Process health: /healthz says the process is alive; /readyz says every component is ready (NATS connected,
// each consumer bound, each listener bound). Components report themselves; the HTTP layer only reads.
//   health.set('nats', false, 'disconnected'); health.ready() === false

export interface ComponentHealth {
  ready: boolean;
  detail?: string;
  since: number;
}

export class Health {
  private readonly components = new Map<string, ComponentHealth>();
  readonly startedAt = Date.now();

  set(component: string, ready: boolean, detail?: string): void {
    const prev = this.components.get(component);
    if (prev && prev.ready === ready && prev.detail === detail) return;
    this.components.set(component, { ready, detail, since: Date.now() });
  }

  remove(component: string): void {
    this.components.delete(component);
  }

  ready(): boolean {
    if (this.components.size === 0) return false;
    for (const c of this.components.values()) if (!c.ready) return false;
    return true;
  }

  snapshot(): Record<string, ComponentHealth> {
    return Object.fromEntries(this.components);
  }
}
