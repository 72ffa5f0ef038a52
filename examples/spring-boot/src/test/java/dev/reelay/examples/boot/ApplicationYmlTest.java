package dev.reelay.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/** The example's application.yml shows every property of the starter, as its metadata lists them. */
class ApplicationYmlTest {

    @Test
    void everyReelayPropertyIsInApplicationYml() throws Exception {
        List<String> properties = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                new ObjectMapper().readTree(in).path("properties").forEach((JsonNode p) -> {
                    if (p.path("name").asText().startsWith("reelay.")) {
                        properties.add(p.path("name").asText());
                    }
                });
            }
        }
        assertThat(properties).as("the starter's generated metadata").hasSizeGreaterThan(50);

        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        Properties yml = yaml.getObject();
        List<String> missing = properties.stream()
                .filter(p -> !yml.containsKey(p) && yml.stringPropertyNames().stream().noneMatch(k -> k.startsWith(p + "[")))
                .toList();
        assertThat(missing).as("reelay.* properties that application.yml does not show").isEmpty();
    }
}
