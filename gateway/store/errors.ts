// Store failures a person must act on, with the message that tells them how.
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
  constructor(path: string) {
    super(
      `${path} is in use by another Hearth process; stop it first (systemctl stop hearth) or give another storage.path`,
    );
  }
}

export class StoreTooNewError extends Error {
  override name = 'StoreTooNewError';
  constructor(path: string, found: number, known: number) {
    super(
      `${path} was written by a newer Hearth (schema ${found}; this one knows up to ${known}); it was left untouched: upgrade Hearth`,
    );
  }
}
