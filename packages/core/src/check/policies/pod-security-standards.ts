import { PSA_PREFIX } from "../../components/argocd/contract.js";
import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";
import { containersOf, podTemplate } from "../workloads.js";

type Path = readonly (string | number)[];
type Level = "baseline" | "restricted";
interface Violation {
  readonly level: Level;
  readonly path: Path;
  readonly what: string;
}

/** Capabilities Baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
/** Sysctls Baseline allows (the namespaced, "safe" set). */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);
/** Volume types Restricted allows. */
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const SECCOMP_SET = new Set(["RuntimeDefault", "Localhost"]);
const upper = (s: unknown) => (typeof s === "string" ? s.toUpperCase().replace(/^CAP_/, "") : "");
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), each
 * control as the standard words it, over one pod spec. Baseline controls are checked for both
 * levels; Restricted adds its own. `meta` is the pod template's metadata (AppArmor annotations).
 */
export function podSecurityViolations(
  spec: Record<string, unknown>,
  meta: Record<string, unknown>,
  at: Path,
): Violation[] {
  const out: Violation[] = [];
  const v = (level: Level, path: Path, what: string) => out.push({ level, path: [...at, ...path], what });
  const psc = rec(spec.securityContext);
  // Baseline: host namespaces, HostProcess, host paths, sysctls, pod-level seccomp/SELinux/AppArmor.
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (spec[f] === true) v("baseline", [f], `${f}: true`);
  }
  if (rec(psc.windowsOptions).hostProcess === true) {
    v("baseline", ["securityContext", "windowsOptions", "hostProcess"], "a HostProcess pod");
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((vol, i) => {
    const r = rec(vol);
    if ("hostPath" in r) v("baseline", ["volumes", i, "hostPath"], `hostPath volume ${String(r.name)}`);
    const type = Object.keys(r).find((k) => k !== "name");
    if (type !== undefined && type !== "hostPath" && !RESTRICTED_VOLUMES.has(type)) {
      v("restricted", ["volumes", i, type], `${type} volume ${String(r.name)}`);
    }
  });
  const sysctls = Array.isArray(psc.sysctls) ? psc.sysctls : [];
  sysctls.forEach((s, i) => {
    const name = rec(s).name;
    if (typeof name !== "string" || !SAFE_SYSCTLS.has(name)) {
      v("baseline", ["securityContext", "sysctls", i, "name"], `unsafe sysctl ${String(name)}`);
    }
  });
  checkSelinux(psc, ["securityContext"], v);
  checkAppArmor(psc, ["securityContext"], v);
  for (const [k, value] of Object.entries(rec(meta.annotations))) {
    if (
      k.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
      value !== "runtime/default" &&
      !(typeof value === "string" && value.startsWith("localhost/"))
    ) {
      v("baseline", [], `AppArmor annotation ${k}: ${String(value)}`);
    }
  }
  const podSeccomp = rec(psc.seccompProfile).type;
  if (podSeccomp === "Unconfined")
    v("baseline", ["securityContext", "seccompProfile", "type"], "seccomp Unconfined");
  if (psc.runAsUser === 0) v("restricted", ["securityContext", "runAsUser"], "runAsUser 0 (root)");
  if (psc.runAsNonRoot === false) v("restricted", ["securityContext", "runAsNonRoot"], "runAsNonRoot: false");

  const t = { path: [] as Path, spec };
  const containers = [...containersOf(t)];
  const ephemeral = Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : [];
  ephemeral.forEach((c, index) => {
    if (isRecord(c))
      containers.push({ list: "containers", index, path: ["ephemeralContainers", index], container: c });
  });
  for (const c of containers) {
    const name = `container ${String(c.container.name ?? c.index)}`;
    const sc = rec(c.container.securityContext);
    const scPath = [...c.path, "securityContext"];
    if (sc.privileged === true) v("baseline", [...scPath, "privileged"], `${name} is privileged`);
    if (rec(sc.windowsOptions).hostProcess === true) {
      v("baseline", [...scPath, "windowsOptions", "hostProcess"], `${name} is a HostProcess container`);
    }
    if (sc.procMount !== undefined && sc.procMount !== "Default") {
      v("baseline", [...scPath, "procMount"], `${name} procMount ${String(sc.procMount)}`);
    }
    checkSelinux(sc, scPath, v, name);
    checkAppArmor(sc, scPath, v, name);
    const ports = Array.isArray(c.container.ports) ? c.container.ports : [];
    ports.forEach((p, i) => {
      const hostPort = rec(p).hostPort;
      if (hostPort !== undefined && hostPort !== 0) {
        v("baseline", [...c.path, "ports", i, "hostPort"], `${name} uses hostPort ${String(hostPort)}`);
      }
    });
    const caps = rec(sc.capabilities);
    const add = Array.isArray(caps.add) ? caps.add.map(upper) : [];
    const beyondBaseline = add.filter((a) => !BASELINE_CAPABILITIES.has(a));
    if (beyondBaseline.length > 0) {
      v("baseline", [...scPath, "capabilities", "add"], `${name} adds ${beyondBaseline.join(", ")}`);
    }
    const seccomp = rec(sc.seccompProfile).type;
    if (seccomp === "Unconfined")
      v("baseline", [...scPath, "seccompProfile", "type"], `${name} seccomp Unconfined`);
    // Restricted.
    if (sc.allowPrivilegeEscalation !== false) {
      v(
        "restricted",
        [...scPath, "allowPrivilegeEscalation"],
        `${name} does not set allowPrivilegeEscalation: false`,
      );
    }
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true)) {
      v("restricted", [...scPath, "runAsNonRoot"], `${name} may run as root (runAsNonRoot not true)`);
    }
    if (sc.runAsUser === 0) v("restricted", [...scPath, "runAsUser"], `${name} runAsUser 0 (root)`);
    if (
      !SECCOMP_SET.has(String(seccomp)) &&
      !(seccomp === undefined && SECCOMP_SET.has(String(podSeccomp)))
    ) {
      v(
        "restricted",
        [...scPath, "seccompProfile"],
        `${name} has no RuntimeDefault or Localhost seccomp profile`,
      );
    }
    const drop = Array.isArray(caps.drop) ? caps.drop.map(upper) : [];
    if (!drop.includes("ALL"))
      v("restricted", [...scPath, "capabilities", "drop"], `${name} does not drop ALL capabilities`);
    const beyondRestricted = add.filter((a) => a !== "NET_BIND_SERVICE" && BASELINE_CAPABILITIES.has(a));
    if (beyondRestricted.length > 0) {
      v("restricted", [...scPath, "capabilities", "add"], `${name} adds ${beyondRestricted.join(", ")}`);
    }
  }
  return out;
}

type Report = (level: Level, path: Path, what: string) => void;

function checkSelinux(sc: Record<string, unknown>, at: Path, v: Report, who = "pod"): void {
  const se = rec(sc.seLinuxOptions);
  if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type))) {
    v("baseline", [...at, "seLinuxOptions", "type"], `${who} SELinux type ${String(se.type)}`);
  }
  for (const f of ["user", "role"]) {
    if (se[f] !== undefined && se[f] !== "")
      v("baseline", [...at, "seLinuxOptions", f], `${who} sets SELinux ${f}`);
  }
}

function checkAppArmor(sc: Record<string, unknown>, at: Path, v: Report, who = "pod"): void {
  const type = rec(sc.appArmorProfile).type;
  if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost") {
    v("baseline", [...at, "appArmorProfile", "type"], `${who} AppArmor ${String(type)}`);
  }
}

/**
 * H5 (pods): every pod a namespace runs meets the Pod Security level its Namespace enforces, so
 * nothing Argo CD syncs is refused at admission (or, the other way round, no namespace is labelled
 * more permissively than it needs: a namespace whose pods all meet `restricted` is labelled so).
 * With `check --render-charts` this covers every pod the charts render.
 */
export const podSecurityStandards = definePolicy({
  id: "pod-security-standards",
  description:
    "Every pod meets the Pod Security level its namespace enforces, and no namespace is looser than its pods need",
  chartOutput: true,
  *check(input) {
    const levels = new Map<string, { level: string; o: (typeof input.objects)[number] }>();
    for (const o of input.objects) {
      if (o.object.kind !== "Namespace" || o.object.apiVersion !== "v1") continue;
      const level = o.object.metadata.labels?.[`${PSA_PREFIX}enforce`];
      if (level !== undefined) levels.set(o.object.metadata.name, { level, o });
    }
    /** Per namespace: whether any pod needs more than restricted / more than baseline. */
    const needs = new Map<string, { pods: number; beyondRestricted: boolean; beyondBaseline: boolean }>();
    for (const o of input.objects) {
      const t = podTemplate(o.object);
      if (!t) continue;
      const ns = input.namespaceOf(o);
      if (ns === undefined) continue;
      const meta = rec(t.path.length > 0 ? getAt(o.object, t.path.slice(0, -1)) : undefined).metadata;
      const violations = podSecurityViolations(t.spec, rec(meta), t.path);
      const n = needs.get(ns) ?? { pods: 0, beyondRestricted: false, beyondBaseline: false };
      n.pods++;
      if (violations.length > 0) n.beyondRestricted = true;
      if (violations.some((x) => x.level === "baseline")) n.beyondBaseline = true;
      needs.set(ns, n);
      const level = levels.get(ns)?.level;
      if (level !== "baseline" && level !== "restricted") continue;
      for (const x of violations) {
        if (level === "baseline" && x.level === "restricted") continue;
        yield objectFinding(
          this.id,
          o,
          x.path,
          `${describe(o, ns)} breaks Pod Security ${level} (namespace ${ns}): ${x.what}`,
          `Set the pod's securityContext to meet ${level} (chart values, or the component's object), or declare the namespace at the level its pods need (label pod-security.kubernetes.io/enforce on ctx.plan.namespace).`,
        );
      }
    }
    // A namespace a chart deploys into is judged only when the charts were rendered (--render-charts).
    const chartNamespaces = new Set(input.apps.filter((a) => a.spec.helm).map((a) => a.spec.namespace));
    const rendered = new Set(input.objects.filter((o) => o.chart).map((o) => input.namespaceOf(o)));
    for (const [ns, { level, o }] of levels) {
      if (chartNamespaces.has(ns) && !rendered.has(ns)) continue;
      const n = needs.get(ns);
      const needed = !n
        ? "restricted"
        : n.beyondBaseline
          ? "privileged"
          : n.beyondRestricted
            ? "baseline"
            : "restricted";
      const rank = { restricted: 0, baseline: 1, privileged: 2 } as Record<string, number>;
      if ((rank[level] ?? 0) <= (rank[needed] ?? 0)) continue;
      yield objectFinding(
        this.id,
        o,
        ["metadata", "labels", `${PSA_PREFIX}enforce`],
        `Namespace ${ns} enforces ${level} but its ${n?.pods ?? 0} pod template(s) meet ${needed}`,
        `Label it ${needed}: a looser level than the pods need admits whatever is deployed there next.`,
      );
    }
  },
});

function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const seg of path)
    cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}
