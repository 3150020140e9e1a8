/** An image reference split the way the container runtime reads it. */
export interface ImageReference {
  /** Registry and repository, e.g. `registry.k8s.io/ingress-nginx/controller`. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,128}$/;

/**
 * Splits `[registry[:port]/]path[:tag][@digest]`. The tag is after the last `:` that follows the
 * last `/` (a registry port is not a tag); a digest that is not `algorithm:hex` is not one.
 */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const digestPart = at === -1 ? null : image.slice(at + 1);
  const name = at === -1 ? image : image.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    tag: hasTag && colon < name.length - 1 ? name.slice(colon + 1) : null,
    digest: digestPart !== null && DIGEST.test(digestPart) ? digestPart : null,
  };
}
