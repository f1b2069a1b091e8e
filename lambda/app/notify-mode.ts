/** When a run publishes its notification (docs/notifications.md). */
export const NOTIFY_MODES = ['changes', 'new-only', 'always'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];
