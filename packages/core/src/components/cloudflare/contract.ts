// The cloudflare component's public module: where its Terraform root is rendered, which
// `bootstrap` applies (docs/adr/0016-module-boundaries.md).

/** The Terraform root of DNS records and the tunnel, in the platform repository. */
export const CLOUDFLARE_TERRAFORM_DIR = "cloudflare/terraform";
