/** A route as hono lists it (`app.routes`): its method, and its path with `:param`s and `*`s. */
export interface RouteEntry {
  method: string;
  path: string;
}

/** The methods that answer at a path, for 405's Allow header; undefined when no route has the path at all. */
export type AllowedMethods = (pathname: string) => string[] | undefined;

const patternOf = (path: string) =>
  new RegExp(
    `^${path
      .split('/')
      .map((segment) =>
        segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'),
      )
      .join('/')}$`,
  );

/**
 * Which methods each known path answers, read from the app's routes on first use (every
 * route is registered by then). `ALL` entries are middleware (`app.use`), not routes.
 * HEAD answers wherever GET does (hono runs the GET handler), and OPTIONS everywhere.
 */
export function allowedMethods(routes: () => readonly RouteEntry[]): AllowedMethods {
  let table: { pattern: RegExp; methods: Set<string> }[] | undefined;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const { method, path } of routes()) {
      if (method === 'ALL') continue;
      const methods = byPath.get(path) ?? new Set<string>();
      methods.add(method.toUpperCase());
      byPath.set(path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: patternOf(path), methods }));
  };
  return (pathname) => {
    table ??= build();
    const methods = new Set<string>();
    for (const route of table) if (route.pattern.test(pathname)) for (const m of route.methods) methods.add(m);
    if (methods.size === 0) return undefined;
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  };
}
