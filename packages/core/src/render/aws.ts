import type { PlatformSpec } from "../config/schema.js";

/**
 * What `spec.cluster.aws` changes in rendered values (ADR 0014). Each function returns values to
 * merge over a chart's, empty on every other distribution, so the k3s/kubeadm/eks diff stays
 * within the allow-list of render/environments.ts.
 */

/** The IRSA annotation on a service account (EKS Pod Identity needs none: the association is AWS-side). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/**
 * Traefik chart values for `aws.ingress.type: nlb`: the Service becomes a LoadBalancer the AWS
 * Load Balancer Controller reconciles (`loadBalancerClass: service.k8s.aws/nlb`; the in-tree
 * controller ignores it), targeting pod IPs. The NLB terminates TLS on 443 with the ACM
 * certificate and forwards plain HTTP to Traefik's `web` entry point, where the Gateway listener
 * is, so routes are unchanged. Annotation names: kubernetes-sigs.github.io/aws-load-balancer-controller
 * guide/service/annotations.
 */
export function withTraefikAwsValues(
  values: { readonly service: object; readonly ports: object } & Record<string, unknown>,
  platform: PlatformSpec,
): Record<string, unknown> {
  const ingress = platform.cluster.aws?.ingress;
  if (platform.cluster.distribution !== "eks" || ingress?.type !== "nlb") return values;
  return {
    ...values,
    service: {
      ...values.service,
      spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" },
      annotations: {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": ingress.scheme,
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ingress.certificateArn,
        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      },
    },
    // Service port 443 → the `web` container port: TLS already ended at the NLB.
    ports: { ...values.ports, websecure: { expose: { default: true }, exposedPort: 443, targetPort: "web" } },
  };
}

/**
 * Vault chart `server` values for `aws.vaultIam`: with IRSA the role ARN annotates the server's service
 * account and EKS injects AWS_ROLE_ARN and a web identity token, which the AWS SDK in Vault's
 * `awskms` seal reads; with Pod Identity nothing is rendered (the association of namespace
 * `vault`, service account `vault` and the role is made in AWS: docs/guides/migrate-k3s-to-eks.md).
 */
export function vaultServiceAccountValues(platform: PlatformSpec): Record<string, unknown> {
  const iam = platform.cluster.aws?.vaultIam;
  if (platform.cluster.distribution !== "eks" || iam?.mode !== "irsa") return {};
  return { serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: iam.roleArn } } };
}

/**
 * What a Vault `seal "awskms"` stanza takes from the cluster (the vault component's auto-unseal,
 * ADR 0009): the EKS cluster's region, and whether Vault's pod has an AWS identity of its own
 * (`aws.vaultIam`: IRSA or Pod Identity, whose credentials the AWS SDK in Vault reads from what EKS
 * injects). Off EKS: no region, no identity.
 */
export function vaultAwsDefaults(platform: PlatformSpec): {
  readonly region: string | undefined;
  readonly podIdentity: boolean;
} {
  const aws = platform.cluster.distribution === "eks" ? platform.cluster.aws : undefined;
  return { region: aws?.region, podIdentity: aws?.vaultIam !== undefined };
}
