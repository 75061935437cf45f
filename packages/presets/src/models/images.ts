/**
 * Base images of the generated Dockerfiles, pinned by digest: a tag moves with every rebuild
 * upstream, a digest names exactly one image. Each digest is the multi-arch index (manifest list)
 * digest, so `docker build --platform linux/arm64` resolves the arm64 image from the same pin. The
 * tag stays in front for readers and for Dependabot's docker ecosystem, which the generated
 * `.github/dependabot.yml` enables: it proposes the new digest when the tag moves.
 *
 * Provenance (Docker Hub is not reachable from where these were written): every digest below is
 * the one pinned for that tag (or an alias of the same image, noted) in several unrelated public
 * repositories, among them BuildKit logs (`resolve docker.io/library/…@sha256:…`) and `docker pull`
 * output, collected 2026-12-04. Re-check with
 * `docker buildx imagetools inspect <image>:<tag>` when bumping.
 */
export const BASE_IMAGES = {
  /** Node 24.20.0 on Debian bookworm; the same index as `node:24.20.0-slim` and `node:24-bookworm-slim`. */
  node24Slim: image("node", "24-slim", "ba849c60be29959425b8734d57b8b4b7d56f98edd9504c9af091d5281095a71e"),
  /** nginx 1.28.2 on Alpine 3.23, non-root (UID 101, port 8080); same index as `1.28.2-alpine3.23`. */
  nginxUnprivileged: image(
    "nginxinc/nginx-unprivileged",
    "1.28-alpine",
    "7377697a821c131a924a7105fafbe7414db4e9fcc77a6f08f776f33f141ec3f8",
  ),
  /** Maven 3.9.16 on Temurin 21 (Ubuntu noble). */
  maven21: image(
    "maven",
    "3.9-eclipse-temurin-21",
    "99e61abcff91a9b1333463bd8451fb18495d6eba9250ac66a338b518f8278320",
  ),
  /** Maven 3.9.16 on Temurin 25 (amd64 and arm64/v8 in the index). */
  maven25: image(
    "maven",
    "3.9-eclipse-temurin-25",
    "93b8a14ea2f412782e4e842651273b4d903e35cc496284f178fbbe2d67d00976",
  ),
  /** Temurin 21.0.12+8 JRE; same index as `21.0.12_8-jre`. */
  temurin21Jre: image(
    "eclipse-temurin",
    "21-jre",
    "7a65df4b22d2de92d4e04056e884f3b9122d70b21e2847fd66084278bd0ce037",
  ),
  /** Temurin 25.0.4.1+1 JRE; same index as `25.0.4.1_1-jre`. */
  temurin25Jre: image(
    "eclipse-temurin",
    "25-jre",
    "fcd7fd7b387f94bb2ac461478a7436ad8e349924c374ea8313919624dceae636",
  ),
} as const;

/** `image:tag@sha256:<digest>`; the digest is checked here so a typo cannot ship. */
function image(name: string, tag: string, digest: string): string {
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`${name}:${tag}: a digest is 64 lowercase hex digits`);
  return `${name}:${tag}@sha256:${digest}`;
}

const BY_TAG = new Map<string, string>(
  Object.values(BASE_IMAGES).map((ref) => [ref.split("@")[0] as string, ref]),
);

/**
 * The pinned form of a `FROM` image: unchanged when it already carries a digest, from
 * {@link BASE_IMAGES} when it is one of their tags. Any other image is a programming error (it
 * would ship unpinned): add it to the table with its evidence.
 */
export function pinnedImage(from: string): string {
  if (/@sha256:[0-9a-f]{64}$/.test(from)) return from;
  const pinned = BY_TAG.get(from);
  if (pinned === undefined)
    throw new Error(`base image ${from} is not pinned by digest (models/images.ts BASE_IMAGES)`);
  return pinned;
}
