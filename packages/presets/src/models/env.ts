/** One environment variable the service reads; the platform injects these at deploy time. */
export interface EnvVar {
  readonly name: string;
  readonly description: string;
  /** Value used when unset (local development); absent means required in production. */
  readonly default?: string;
}

/** The service's configuration surface, rendered into the README so a person sees it in one place. */
export class EnvVars {
  readonly #vars = new Map<string, EnvVar>();

  add(...vars: readonly EnvVar[]): this {
    for (const v of vars) this.#vars.set(v.name, v);
    return this;
  }

  list(): EnvVar[] {
    return [...this.#vars.values()];
  }
}
