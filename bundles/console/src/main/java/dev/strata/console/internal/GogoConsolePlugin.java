package dev.strata.console.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * A "Gogo" tab in the web console: runs one Gogo command line and shows its output, so an admin without a
 * terminal on the machine (the container runs without one) can use {@code strata:*} and Felix's commands, and
 * tests can drive them. {@code POST /system/console/gogo} with the form field {@code command} answers the output as
 * text/plain. It is behind the console's login, which already allows installing bundles, so it grants nothing
 * new. Thread-safe: each request has its own Gogo session.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + GogoConsolePlugin.LABEL,
    "felix.webconsole.title=Gogo",
    "felix.webconsole.category=Strata"})
public final class GogoConsolePlugin extends HttpServlet {
    static final String LABEL = "gogo";
    private static final long serialVersionUID = 1L;
    private static final int MAX_COMMAND_CHARS = 10_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandProcessor processor;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().print("<form method='post' action='" + LABEL + "'><input name='command' size='100'"
                + " placeholder='strata:health'/> <input type='submit' value='Run'/></form><p>The output comes back as"
                + " plain text.</p>");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String command = request.getParameter("command");
        response.setContentType("text/plain;charset=UTF-8");
        CommandProcessor p = processor;
        if (command == null || command.isBlank() || command.length() > MAX_COMMAND_CHARS) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.getWriter().print("Error: send one command line (at most " + MAX_COMMAND_CHARS
                    + " characters) in the form field 'command'\n");
            return;
        }
        if (p == null) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.getWriter().print("Error: the Gogo runtime is not running\n");
            return;
        }
        response.getWriter().print(run(p, command));
    }

    /** Runs one command line; what it prints and what it returns, as text. */
    static String run(CommandProcessor processor, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
             CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            print.flush();
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        } catch (Exception e) {
            out.writeBytes(("Error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
