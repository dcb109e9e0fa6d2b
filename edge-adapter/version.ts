import pkg from '../package.json' with { type: 'json' };

/** The release this adapter was built from, as /healthz reports it. */
export const edgeVersion: string = pkg.version;
