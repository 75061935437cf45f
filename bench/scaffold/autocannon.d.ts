/** The part of autocannon 9's programmatic API that bench/scaffold uses (the package has no types). */
declare module "autocannon" {
  export interface Request {
    readonly method?: string;
    readonly path?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
  }
  export interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    readonly method?: "GET" | "POST";
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    /** `setupRequest` may rewrite each request before it is sent. */
    readonly requests?: readonly (Request & { readonly setupRequest?: (request: Request) => Request })[];
  }
  export interface Stats {
    readonly average: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    readonly total: number;
  }
  export interface Result {
    readonly requests: Stats;
    readonly latency: Stats;
    readonly throughput: Stats;
    readonly non2xx: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly "2xx": number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
