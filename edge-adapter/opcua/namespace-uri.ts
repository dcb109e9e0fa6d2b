/**
 * `nsu=<uri>;…` → `ns=<index>;…` with the server's namespace array. A namespace index
 * is the server's to assign and may change with a firmware or project update; the URI
 * does not, so configurations should name it. node-opcua only understands the index.
 */
export function resolveNamespaceUri(nodeId: string, namespaces: readonly string[]): string {
  const match = /^nsu=([^;]+);(.*)$/.exec(nodeId);
  if (!match) return nodeId;
  const [, uri, rest] = match as unknown as [string, string, string];
  const index = namespaces.indexOf(uri);
  if (index < 0) throw new Error(`the server has no namespace ${uri} (it has: ${namespaces.join(', ')})`);
  return `ns=${index};${rest}`;
}
