/**
 * The session, shared by every screen: the access token lives in memory only, the refresh token in
 * sessionStorage (it survives a reload of this tab, not the closing of it).
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { ApiError } from '@/api/client'
import { authApi } from '@/api/endpoints'
import type { Tokens } from '@/api/types'

export const REFRESH_KEY = 'books.refresh'

export const useAuthStore = defineStore('auth', () => {
  const access = ref<string | null>(null)
  const refreshToken = ref<string | null>(sessionStorage.getItem(REFRESH_KEY))
  const username = ref<string | null>(null)
  // From GET /auth/me: whether to offer staff-only actions (the server decides; this only hides what would be a 403).
  const isStaff = ref<boolean | null>(null)
  // Refresh tokens are single-use and a reused one revokes the whole login: concurrent callers share one request.
  let refreshing: Promise<boolean> | null = null

  const isLoggedIn = computed(() => access.value !== null || refreshToken.value !== null)

  function setTokens(tokens: Tokens): void {
    access.value = tokens.access
    refreshToken.value = tokens.refresh
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh)
  }

  function clear(): void {
    access.value = null
    refreshToken.value = null
    username.value = null
    isStaff.value = null
    sessionStorage.removeItem(REFRESH_KEY)
  }

  async function login(name: string, password: string): Promise<void> {
    setTokens(await authApi.login(name, password))
    username.value = name
    isStaff.value = null
  }

  async function register(name: string, password: string): Promise<void> {
    await authApi.register(name, password)
    await login(name, password)
  }

  async function renew(): Promise<boolean> {
    const token = refreshToken.value
    if (!token) return false
    try {
      setTokens(await authApi.refresh(token))
      return true
    } catch (error) {
      // 400/401: the token is spent, expired or revoked. Anything else (offline, 5xx) keeps the session.
      if (error instanceof ApiError && (error.status === 400 || error.status === 401)) {
        clear()
        return false
      }
      throw error
    }
  }

  function refresh(): Promise<boolean> {
    refreshing ??= renew().finally(() => {
      refreshing = null
    })
    return refreshing
  }

  async function logout(): Promise<void> {
    try {
      if (!access.value) await refresh()
      if (access.value && refreshToken.value) await authApi.logout(refreshToken.value)
    } catch {
      // Logging out locally must work even when the server cannot be told.
    } finally {
      clear()
    }
  }

  let loadingUser: Promise<void> | null = null

  /** Who is logged in and whether they are staff (GET /auth/me), once per login; concurrent callers share it. */
  function loadUser(): Promise<void> {
    if (!isLoggedIn.value || (username.value && isStaff.value !== null)) return Promise.resolve()
    loadingUser ??= authApi
      .me()
      .then((me) => {
        if (!isLoggedIn.value) return
        username.value = me.username
        isStaff.value = me.is_staff
      })
      .finally(() => {
        loadingUser = null
      })
    return loadingUser
  }

  return { access, refreshToken, username, isStaff, isLoggedIn, login, register, refresh, logout, loadUser, clear }
})
