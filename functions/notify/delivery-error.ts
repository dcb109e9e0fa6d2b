const marker = Symbol.for('flowline.notify.delivery-error');

/**
 * A channel refused or failed a notification. `permanent`: trying again cannot help
 * (a 4xx from the webhook, a 5xx SMTP reply, a channel without its secret), so the
 * failure is recorded at once instead of after every retry.
 */
export class DeliveryError extends Error {
  readonly [marker] = true;
  readonly permanent: boolean;

  constructor(message: string, options: { permanent: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.permanent = options.permanent;
  }
}

export function isPermanentDeliveryError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && marker in error && (error as DeliveryError).permanent;
}
