import './styles/main.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'

import App from './App.vue'
import { router } from './router'
import { connectSession } from './session'
import { useAuthStore } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)

// A session that cannot be renewed sends the user to the login page, which brings them back here afterwards.
connectSession(useAuthStore(pinia), () => {
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
  }
})

app.use(router)
app.mount('#app')
