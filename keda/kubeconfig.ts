import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import type { KubeCredentials } from './kube-api.ts';

const Kubeconfig = z.object({
  'current-context': z.string().optional(),
  clusters: z.array(
    z.object({
      name: z.string(),
      cluster: z.object({
        server: z.string().url(),
        'certificate-authority': z.string().optional(),
        'certificate-authority-data': z.string().optional(),
      }),
    }),
  ),
  users: z.array(z.object({ name: z.string(), user: z.looseObject({}) })),
  contexts: z.array(
    z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string(), namespace: z.string().optional() }) }),
  ),
});

const User = z.object({
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
});

/**
 * The current context of a kubeconfig as credentials flowline lag can use: a client
 * certificate or a token, inline or from files (relative to the kubeconfig, as kubectl
 * reads them). Exec and auth-provider plugins are refused by name, not half-supported.
 */
export function readKubeconfig(file: string): KubeCredentials & { namespace: string | undefined } {
  const config = Kubeconfig.parse(load(readFileSync(file, 'utf8')));
  const contextName = config['current-context'];
  const context = config.contexts.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${file}: current-context "${contextName ?? ''}" is not among its contexts`);
  const cluster = config.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw new Error(`${file}: context ${contextName} names cluster "${context.cluster}", which it does not define`);
  const rawUser = config.users.find((u) => u.name === context.user)?.user;
  if (!rawUser) throw new Error(`${file}: context ${contextName} names user "${context.user}", which it does not define`);
  if ('exec' in rawUser || 'auth-provider' in rawUser) {
    throw new Error(
      `${file}: user ${context.user} authenticates through a plugin; give flowline lag a kubeconfig with a client certificate or a token`,
    );
  }
  const user = User.parse(rawUser);
  const path = (p: string) => (isAbsolute(p) ? p : join(dirname(file), p));
  const pem = (data: string | undefined, at: string | undefined) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : at ? readFileSync(path(at), 'utf8') : undefined;
  return {
    server: cluster.server,
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
    token: user.token ?? (user.tokenFile ? readFileSync(path(user.tokenFile), 'utf8').trim() : undefined),
    namespace: context.namespace,
  };
}
