import { configureSession } from '@/api/client'
import type { useAuthStore } from '@/stores/auth'

/** Let the API client use the store's tokens; `onExpired` runs once the session cannot be renewed. */
export function connectSession(auth: ReturnType<typeof useAuthStore>, onExpired: () => void): void {
  configureSession({
    accessToken: () => auth.access,
    canRefresh: () => auth.refreshToken !== null,
    refresh: () => auth.refresh(),
    expired: () => {
      auth.clear()
      onExpired()
    },
  })
}
