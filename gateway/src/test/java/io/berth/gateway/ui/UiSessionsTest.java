package io.berth.gateway.ui;

import io.berth.schemas.auth.User;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class UiSessionsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final UiSessions sessions = new UiSessions(now::get);
    private final User alice = new User("alice", "1", List.of("devs"));

    @Test
    void shouldExchangeALoginTokenOnceForASessionOfTheSameUser() {
        String login = sessions.issueLogin(alice).token();
        assertTrue(sessions.bearer(login).isEmpty(), "a login token only buys a session");
        UiSessions.Session s = sessions.exchange(login).orElseThrow();
        assertEquals(alice, s.user());
        assertEquals(alice, sessions.bearer(s.token()).orElseThrow());
        assertTrue(sessions.exchange(login).isEmpty(), "single use");
    }

    @Test
    void shouldRefuseALoginTokenAfterFiveMinutes() {
        String login = sessions.issueLogin(alice).token();
        now.addAndGet(UiSessions.LOGIN_TTL_MS);
        assertTrue(sessions.exchange(login).isEmpty());
    }

    @Test
    void shouldEndASessionAtItsExpiryOrWhenEnded() {
        String a = sessions.exchange(sessions.issueLogin(alice).token()).orElseThrow().token();
        String b = sessions.exchange(sessions.issueLogin(alice).token()).orElseThrow().token();
        sessions.end(b);
        assertTrue(sessions.bearer(b).isEmpty());
        now.addAndGet(UiSessions.SESSION_TTL_MS - 1);
        assertTrue(sessions.bearer(a).isPresent());
        now.addAndGet(1);
        assertTrue(sessions.bearer(a).isEmpty());
    }

    @Test
    void shouldRefuseUnknownAndEmptyTokens() {
        assertTrue(sessions.exchange("nope").isEmpty());
        assertTrue(sessions.exchange("").isEmpty());
        assertTrue(sessions.bearer(null).isEmpty());
    }
}
