use crate::Lang;
use chrono::{DateTime, Locale, TimeZone};

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en_GB,
        Lang::Fr => Locale::fr_FR,
        Lang::Es => Locale::es_ES,
        Lang::De => Locale::de_DE,
        Lang::Pt => Locale::pt_PT,
        Lang::It => Locale::it_IT,
    }
}

/// A day and time in the language's words and order, in the time zone of `at` (pass it in the
/// location's zone): "Tuesday 1 December 2026, 18:00", "mardi 1 décembre 2026, 18:00".
pub fn format_datetime<Tz: TimeZone>(lang: Lang, at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.format_localized(datetime_pattern(lang), locale(lang))
        .to_string()
}

/// A day in the language's words: "Tuesday 1 December 2026", "Dienstag, 1. Dezember 2026".
pub fn format_date<Tz: TimeZone>(lang: Lang, at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.format_localized(date_pattern(lang), locale(lang))
        .to_string()
}

fn date_pattern(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "%A, %-d. %B %Y",
        Lang::Es | Lang::Pt => "%A, %-d de %B de %Y",
        Lang::En | Lang::Fr | Lang::It => "%A %-d %B %Y",
    }
}

fn datetime_pattern(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "%A, %-d. %B %Y, %H:%M Uhr",
        Lang::Es | Lang::Pt => "%A, %-d de %B de %Y, %H:%M",
        Lang::En | Lang::Fr | Lang::It => "%A %-d %B %Y, %H:%M",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn dates_read_in_the_language_and_the_location_s_time_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 23, 30, 0)
            .single()
            .expect("a valid instant")
            .with_timezone(&chrono_tz::America::Vancouver);
        assert_eq!(
            format_datetime(Lang::En, &at),
            "Tuesday 1 December 2026, 15:30"
        );
        assert_eq!(
            format_datetime(Lang::Fr, &at),
            "mardi 1 décembre 2026, 15:30"
        );
        assert_eq!(format_date(Lang::De, &at), "Dienstag, 1. Dezember 2026");
        assert_eq!(format_date(Lang::Es, &at), "martes, 1 de diciembre de 2026");
        let paris = at.with_timezone(&chrono_tz::Europe::Paris);
        assert_eq!(
            format_datetime(Lang::It, &paris),
            "mercoledì 2 dicembre 2026, 00:30"
        );
    }
}
