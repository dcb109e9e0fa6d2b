import { createHash } from 'node:crypto';
import { type ConfigKind, loadConfig, saveConfig } from '../../config/load.ts';
import type { Db } from '../../runtime/resources/db.ts';
import { problem } from '../http/problem.ts';
import { configSchemas } from './config-kinds.ts';
import { type ConfigSource, loaderEnvOf } from './config-source.ts';

export interface StoredDocument {
  /** SHA-256 of the document as sent (JSON), to tell versions apart in the audit trail. */
  sha256: string;
  bytes: number;
}

/**
 * The configuration documents where this deployment keeps them: read as the functions
 * read them (config/load.ts), and, from PostgreSQL only, replaced. A replacement and
 * its audit record share one transaction: if the bus does not take the audit record,
 * the row is rolled back and nothing changed.
 */
export interface ConfigDocuments {
  readonly source: ConfigSource;
  /** The document, validated by its schema (defaults filled in), or a 404 saying why there is none. */
  read(kind: ConfigKind): Promise<unknown>;
  /** Stores a document already validated by its schema; `audit` publishes the record of it. */
  replace(kind: ConfigKind, document: unknown, audit: (stored: StoredDocument) => Promise<unknown>): Promise<StoredDocument>;
}

export function configDocuments(source: ConfigSource, db: Db | undefined): ConfigDocuments {
  return {
    source,
    async read(kind) {
      try {
        return await loadConfig(kind, configSchemas[kind], { env: loaderEnvOf(source), ...(db ? { db } : {}) });
      } catch (error) {
        // Missing (no file, no row) or not valid: either way there is no document to show, and the message says which.
        const name = (error as Error).name;
        if (name === 'ConfigDocumentError' || name === 'ConfigFileError') throw problem(404, (error as Error).message);
        throw error;
      }
    },
    async replace(kind, document, audit) {
      if (!db) throw problem(503, 'this gateway has no database (DATABASE_URL), so it cannot store configuration in flowline_config');
      const json = JSON.stringify(document);
      const stored = { sha256: createHash('sha256').update(json).digest('hex'), bytes: Buffer.byteLength(json) };
      await db.transaction(async (tx) => {
        try {
          await saveConfig(kind, configSchemas[kind], document, tx);
        } catch (error) {
          throw problem(
            503,
            `PostgreSQL did not store "${kind}" (${(error as Error).message}), so nothing changed: is the flowline_config table there (persist creates it)?`,
          );
        }
        await audit(stored);
      });
      return stored;
    },
  };
}
