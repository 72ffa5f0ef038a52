package dev.reelay.examples.boot;

import dev.reelay.FileAccess;
import dev.reelay.spring.boot.PipelineOptionsCustomizer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application that takes recordings over HTTP and hands them to Reelay. Everything of Reelay's
 * comes from {@code application.yml} through reelay-spring-boot-starter: the pipeline bean, its start
 * ({@code resume()}), its schedule ({@code retryDue()}), its graceful close, its meters and its health.
 *
 * <pre>
 * REELAY_STORE_ENDPOINT=https://s3.us-west-1.idrivee2.com REELAY_STORE_BUCKET=recordings \
 * REELAY_STORE_ACCESS_KEY_ID=… REELAY_STORE_SECRET_ACCESS_KEY=… \
 * REELAY_WEBHOOK_URL=https://ops.example.com/recordings/webhook/ \
 *   mvn -f examples/spring-boot/pom.xml spring-boot:run
 * curl -F id=3 -F title=Standup -F username=souvik -F email=souvik@example.com \
 *      -F video=@video.mkv -F transcript=@transcript.txt http://localhost:8080/recordings
 * </pre>
 */
@SpringBootApplication
@EnableConfigurationProperties(SpoolProperties.class)
public class RecordingsApplication {

    public static void main(String[] args) {
        SpringApplication.run(RecordingsApplication.class, args);
    }

    /** What properties do not say, in code: paths handed in over HTTP must not be symbolic links. */
    @Bean
    PipelineOptionsCustomizer refuseLinks() {
        return builder -> builder.fileAccess(FileAccess.refuseLinks());
    }
}
