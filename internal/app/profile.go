package app

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// iso3166 lists the ISO 3166-1 alpha-2 country codes.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// IsCountry reports whether code is an ISO 3166-1 alpha-2 code (upper case).
func IsCountry(code string) bool {
	return len(code) == 2 && strings.Contains(" "+iso3166+" ", " "+code+" ")
}

// ProfileInput changes the caller's profile; nil fields stay.
type ProfileInput struct {
	Name         *string `json:"name"`
	Organisation *string `json:"organisation"`
	Country      *string `json:"country"`
	Phone        *string `json:"phone"`
	Address      *string `json:"address"`
}

// Profile returns the caller's profile.
func (a *App) Profile(ctx context.Context, u *contest.User) (db.Profile, error) {
	if u == nil {
		return db.Profile{}, contest.ErrUnauthorized
	}
	return a.DB.ProfileOf(ctx, u.ID)
}

// UpdateProfile validates and saves the caller's profile: a name, an
// organisation and address of sane length, an ISO 3166 country, a phone
// number of digits, spaces and + - ( ). Every problem is listed at once.
func (a *App) UpdateProfile(ctx context.Context, u *contest.User, in ProfileInput) (db.Profile, error) {
	p, err := a.Profile(ctx, u)
	if err != nil {
		return p, err
	}
	var fe contest.FieldError
	text := func(dst *string, v *string, field string, max int, required bool) {
		if v == nil {
			return
		}
		s := trim(*v)
		switch {
		case required && s == "":
			fe.Add(field, "field.required")
		case utf8.RuneCountInString(s) > max || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
			fe.Add(field, "field.too_long")
		}
		*dst = s
	}
	text(&p.Name, in.Name, "name", 200, true)
	text(&p.Organisation, in.Organisation, "organisation", 200, false)
	text(&p.Address, in.Address, "address", 500, false)
	if in.Country != nil {
		p.Country = strings.ToUpper(trim(*in.Country))
		if p.Country != "" && !IsCountry(p.Country) {
			fe.Add("country", "country.invalid")
		}
	}
	if in.Phone != nil {
		p.Phone = trim(*in.Phone)
		digits := 0
		for _, r := range p.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune(" +-().", r):
			default:
				digits = -100
			}
		}
		if p.Phone != "" && (digits < 5 || digits > 20) {
			fe.Add("phone", "profile.phone_invalid")
		}
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	return p, a.DB.UpdateProfile(ctx, u.ID, p)
}
