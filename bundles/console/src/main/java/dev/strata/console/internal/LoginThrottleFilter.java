package dev.strata.console.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throttles failed web console logins: after {@link LoginThrottle#FREE_FAILURES} wrong passwords from one address,
 * that address gets 429 Too Many Requests (with Retry-After) until its wait is over, and the wait doubles with
 * each further failure, so guessing the password by brute force takes years instead of hours.
 *
 * <p>A servlet whiteboard {@link Preprocessor}: it runs before the console's own authentication (its servlet
 * context's security handling), sees the response status afterwards, and so counts a 401 to a request that
 * carried credentials as a failed login. Thread-safe: the state is in {@link LoginThrottle}.
 */
@Component(service = Preprocessor.class)
public final class LoginThrottleFilter implements Preprocessor {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottleFilter.class);
    private static final String CONSOLE_PATH = "/system/console";
    private static final long WARN_INTERVAL_MILLIS = TimeUnit.SECONDS.toMillis(10);

    private final LoginThrottle throttle = new LoginThrottle(System::currentTimeMillis);
    private final AtomicLong lastWarnMillis = new AtomicLong();
    private final AtomicLong refusedSinceWarn = new AtomicLong();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || !request.getRequestURI().startsWith(CONSOLE_PATH)) {
            chain.doFilter(req, res);
            return;
        }
        String address = request.getRemoteAddr();
        long wait = throttle.waitMillis(address);
        if (wait > 0) {
            refusedSinceWarn.incrementAndGet();
            response.setHeader("Retry-After", Long.toString(TimeUnit.MILLISECONDS.toSeconds(wait + 999)));
            response.sendError(429, "Too many failed logins from " + address + "; retry in "
                    + TimeUnit.MILLISECONDS.toSeconds(wait + 999) + " s");
            return;
        }
        boolean carriedCredentials = request.getHeader("Authorization") != null;
        chain.doFilter(req, res);
        if (!carriedCredentials) {
            return; // the first request of a browser, answered with the challenge: not a failed login
        }
        if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            long blocked = throttle.failed(address);
            if (blocked > 0) {
                warn(address, blocked);
            }
        } else if (response.getStatus() < 400) {
            throttle.succeeded(address);
        }
    }

    /** At most one line per {@link #WARN_INTERVAL_MILLIS}, with the count of refusals in between. */
    private void warn(String address, long blockedMillis) {
        long now = System.currentTimeMillis();
        long last = lastWarnMillis.get();
        if (now - last >= WARN_INTERVAL_MILLIS && lastWarnMillis.compareAndSet(last, now)) {
            LOG.warn("Web console: repeated failed logins from {}; it must wait {} ms before the next attempt ({} "
                    + "attempts refused meanwhile)", address, blockedMillis, refusedSinceWarn.getAndSet(0));
        }
    }
}
